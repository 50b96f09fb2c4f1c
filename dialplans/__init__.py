"""dialplans: generate and check the Asterisk configuration the engine needs."""
