"""`callcenter demo`: the whole system on one machine — the Asterisk emulator, the engine, a
SQLite database and MQTT — playing a scripted busy period, with a live wallboard."""
