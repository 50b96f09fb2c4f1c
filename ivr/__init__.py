"""ivr: IVR flows, caller identification and the post-call survey."""
