"""Level assessment and roll-up: criteria met -> levels per control, subject -> workload -> organisation, gates."""
