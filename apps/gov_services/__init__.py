"""gov_services: government e-services for Chinese administrative service centres (一窗受理、集成服务)."""
