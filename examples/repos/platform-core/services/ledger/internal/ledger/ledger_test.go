package ledger

import "testing"

func TestBalanced(t *testing.T) {
	ok := []Entry{{Account: "cash", Debit: 1000}, {Account: "revenue", Credit: 1000}}
	if err := Balanced(ok); err != nil {
		t.Fatalf("expected balanced, got %v", err)
	}
	bad := []Entry{{Account: "cash", Debit: 1000}, {Account: "revenue", Credit: 900}}
	if err := Balanced(bad); err != ErrUnbalanced {
		t.Fatalf("expected ErrUnbalanced, got %v", err)
	}
}
