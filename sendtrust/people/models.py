"""People: staff and family administration, invitations, two-factor sign-in, data rights."""
