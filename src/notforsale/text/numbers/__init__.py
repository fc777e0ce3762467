"""Number rules in the style of python-stdnum: ``compact``, ``validate``, ``is_valid``.

Only what python-stdnum and phonenumbers lack is written here; each module
calls them for the parts they get right.
"""
