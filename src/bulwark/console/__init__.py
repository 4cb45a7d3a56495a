"""The review console: accounts for people, queues, protected viewing, decisions."""
