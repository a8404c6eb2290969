"""The ground floor: plain data (evidence, results, vocabulary, registries) and file/HCL reading; imports nothing above it."""
