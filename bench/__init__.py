"""Speed and memory benchmark of apigen against peer generators, run on the same machine."""
