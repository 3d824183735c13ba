"""Hand-built, synthetic replicas of the four news sites, served over real HTTP on loopback.

The demo and the spider tests crawl these through ``SITE_MIRRORS``; nothing here is real news.
"""

from crawler.replicas.server import ReplicaServer, ReplicaSite, Resource, load_sites

__all__ = ["ReplicaServer", "ReplicaSite", "Resource", "load_sites"]
