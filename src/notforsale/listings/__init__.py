"""Screen marketplace and forum listings for the trade in faces and identities."""
