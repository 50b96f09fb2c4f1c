"""Who calls and what they leave: the customer directory (records, imports, contact history),
the blacklist of nuisance numbers, and the voicemail messages callers left. Stored beside
the call records, in the same database.
"""
