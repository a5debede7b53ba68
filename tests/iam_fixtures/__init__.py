"""Settings classes, handler modules and templates the IAM policy tests generate policies for."""
