"""Policy rules of the people app: part of the one policy module (sendtrust.access.policy)."""
