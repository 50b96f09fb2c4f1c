"""simulations: a discrete-event simulator driving acd/ on a virtual clock; Erlang models."""
