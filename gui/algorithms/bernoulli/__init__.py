"""The Bernoulli mixture plugin (EM on binary images) and its views."""
