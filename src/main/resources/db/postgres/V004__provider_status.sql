-- (PostgreSQL) A bot's admin-visible provider problem, as JSON text {code, message, at} (null when there is none):
-- set when a turn fails because the provider's quota is spent, its key is refused or its TLS is not
-- trusted; cleared by a later answer from the bot's own provider or a change of key, provider or base URL.

ALTER TABLE bots ADD COLUMN provider_status TEXT;
