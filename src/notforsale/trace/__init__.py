"""Trace and block: perceptual hashes of pictures, shareable hash lists, an index, matching.

- :mod:`.signals`: the signal types (``pdq``, ``pdq_window``, ``pdq_face``) and comparison;
- :mod:`.hashing`: the hashes of one picture (:func:`hash_image`, :func:`image_hashes`);
- :mod:`.hashlist`: the list file format and the ThreatExchange/HMA export;
- :mod:`.index`: a FAISS binary index with exact re-ranking;
- :mod:`.matcher`: lists + index -> matches, the match policy (dihedral, windows, documents);
- :mod:`.store`: lists in the project's database, the index rebuilt from it;
- :mod:`.hook`: what the listing screener asks (the best match of an image's bytes).
"""
