"""xero-sync: the shared package every Lambda function imports (mounted from the common layer).

Layers, one direction only: handlers (functions/*/app.py) → services → domain (pure rules)
and adapters (dal: DynamoDB, xero: the Xero client, aws: KMS/SQS/SES/Secrets Manager).
"""
