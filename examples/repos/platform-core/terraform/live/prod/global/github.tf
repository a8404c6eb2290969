data "github_team" "platform" {
  slug = "platform"
}

data "github_team" "platform_leads" {
  slug = "platform-leads"
}

resource "github_repository_ruleset" "main" {
  name        = "main"
  repository  = "platform-core"
  target      = "branch"
  enforcement = "active"

  conditions {
    ref_name {
      include = ["~DEFAULT_BRANCH"]
      exclude = []
    }
  }

  rules {
    deletion         = true
    non_fast_forward = true

    pull_request {
      required_approving_review_count   = 1
      require_code_owner_review         = true
      dismiss_stale_reviews_on_push     = true
      require_last_push_approval        = true
      required_review_thread_resolution = true
    }

    required_status_checks {
      strict_required_status_checks_policy = true
      required_check {
        context = "lint"
      }
      required_check {
        context = "test"
      }
      required_check {
        context = "security"
      }
      required_check {
        context = "policy"
      }
      required_check {
        context = "risk-gate"
      }
    }

    merge_queue {
      merge_method = "SQUASH"
    }
  }
}

resource "github_repository_environment" "production" {
  repository          = "platform-core"
  environment         = "production"
  prevent_self_review = true
  can_admins_bypass   = false

  reviewers {
    teams = [data.github_team.platform.id]
  }

  deployment_branch_policy {
    protected_branches     = true
    custom_branch_policies = false
  }
}

resource "github_repository_environment" "staging" {
  repository  = "platform-core"
  environment = "staging"

  deployment_branch_policy {
    protected_branches     = true
    custom_branch_policies = false
  }
}

resource "github_issue_label" "risk" {
  for_each = {
    "risk:low"         = "0e8a16"
    "risk:medium"      = "fbca04"
    "risk:high"        = "b60205"
    "change:standard"  = "c5def5"
    "change:normal"    = "1d76db"
    "change:emergency" = "d93f0b"
    "ops-debt"         = "5319e7"
    "drift"            = "e99695"
    "incident"         = "b60205"
    "postmortem"       = "fef2c0"
  }
  repository = "platform-core"
  name       = each.key
  color      = each.value
}
