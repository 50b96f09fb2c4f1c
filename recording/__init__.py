"""recording: the recording policy, storage and QA sampling."""
