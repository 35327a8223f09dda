"""Support for the companies, in the public schema: tickets (``support.tickets``), the
knowledge base and help centre (``support.knowledge``), live support chat
(``support.livechat``) and audited remote access (``support.remote``)."""
