public import MIFACore
