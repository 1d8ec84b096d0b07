"""How close two poses are: the seed metrics of the method we build on and the trainer score."""
