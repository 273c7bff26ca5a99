"""The network and the download cache: bounded, credential-free HTTP for the URLs a user gave."""
