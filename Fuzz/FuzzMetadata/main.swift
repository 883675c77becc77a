import MIFAModel
