"""Tests in a real Lambda lifecycle: AWS's runtime client, frozen and thawed as in Lambda."""
