"""Screen marketplace and forum listings for the trade in faces and identities."""

#: Default thresholds on the score: block at or above BLOCK_AT, review from REVIEW_AT.
BLOCK_AT = 0.85
REVIEW_AT = 0.5
