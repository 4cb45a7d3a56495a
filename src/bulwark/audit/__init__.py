"""Dataset audits and investigator triage (issue 7): find known abuse, its
neighbours and unsafe captions in training sets without anyone viewing an image."""
