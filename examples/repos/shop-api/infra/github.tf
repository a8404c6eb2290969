# GitHub settings of this repository are code too: changes go through a PR like anything else.

data "github_team" "shop" {
  slug = "shop-team"
}

data "github_team" "platform" {
  slug = "platform"
}

resource "github_branch_protection" "main" {
  repository_id = "shop-api"
  pattern       = "main"

  enforce_admins          = true
  require_signed_commits  = false
  allows_force_pushes     = false
  allows_deletions        = false
  required_linear_history = true

  required_status_checks {
    strict   = true
    contexts = ["lint", "test", "codeql", "trivy"]
  }

  required_pull_request_reviews {
    required_approving_review_count = 1
    require_code_owner_reviews      = true
    dismiss_stale_reviews           = true
  }
}

resource "github_repository_environment" "staging" {
  repository  = "shop-api"
  environment = "staging"

  deployment_branch_policy {
    protected_branches     = true
    custom_branch_policies = false
  }
}

resource "github_repository_environment" "production" {
  repository          = "shop-api"
  environment         = "production"
  prevent_self_review = true
  can_admins_bypass   = false

  reviewers {
    teams = [data.github_team.shop.id, data.github_team.platform.id]
  }

  deployment_branch_policy {
    protected_branches     = true
    custom_branch_policies = false
  }
}
