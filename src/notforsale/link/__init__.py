"""Link findings: faces and identity values into profiles."""
