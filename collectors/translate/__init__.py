"""Vendor resource -> evidence attributes, one pure function per resource type.

The same resource reaches wafops three ways: declared in Terraform (snake_case attributes), in
CloudFormation (PascalCase properties) or read live from the cloud API (the API's own shape, which
CloudFormation mirrors). Each translation here takes the API/CloudFormation shape; a small adapter
maps the Terraform shape onto it. Repository collectors and cloud collectors both call these, so an
alarm is the same `alert.rule` wherever it was found.
"""
