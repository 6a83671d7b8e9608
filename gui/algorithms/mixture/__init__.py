"""What the mixture plugins (Gaussian, Bernoulli) share: the EM plugin base and its views."""
