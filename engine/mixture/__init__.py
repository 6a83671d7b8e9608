"""What the mixture models (Gaussian, Bernoulli) share: the EM loop skeleton and its helpers."""
