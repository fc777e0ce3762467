"""Screen marketplace and forum listings for the trade in faces and identities."""

#: Default thresholds on the score: block at or above BLOCK_AT, review from REVIEW_AT.
#: REVIEW_AT is calibrated by scripts/train_listing_weights.py on fitted data only (the
#: lowest line at which the written training sources' out-of-source benign listings are
#: flagged at most 2 % of the time) and recorded as ``review_at`` in weights.json.
BLOCK_AT = 0.85
REVIEW_AT = 0.65
