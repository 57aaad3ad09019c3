"""The citizens' portal of gov_services: guides, accounts, applying (through lowcode.webforms), tracking,
supplements, notices, licences, evaluation and work orders."""
