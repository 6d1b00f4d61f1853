"""Vehicle (机动车) valuation: the vocabulary shared by the generator, the model and the API."""
