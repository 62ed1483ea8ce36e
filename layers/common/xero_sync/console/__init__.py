"""The integration console (F8): server-rendered pages a host embeds (iframe) or links to, for one
org at a time, authenticated by a console session (never an API key). Each page module calls the
same services the host API calls; the rules stay there."""
