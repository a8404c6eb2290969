// Package flags evaluates feature flags through OpenFeature with the flagd provider
// (flag definitions: deploy/flags/ledger.flagd.json, synced by the flagd sidecar).
package flags

import (
	"context"

	flagd "github.com/open-feature/go-sdk-contrib/providers/flagd/pkg"
	"github.com/open-feature/go-sdk/openfeature"
)

var client *openfeature.Client

func Setup() {
	_ = openfeature.SetProviderAndWait(flagd.NewProvider())
	client = openfeature.NewClient("ledger")
}

func Enabled(ctx context.Context, key string, def bool) bool {
	if client == nil {
		return def
	}
	v, _ := client.BooleanValue(ctx, key, def, openfeature.EvaluationContext{})
	return v
}
