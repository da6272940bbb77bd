"""The bad-input suite: every hostile or careless input gets one line, its exit code, and changes nothing."""
