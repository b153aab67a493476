# PMO platform on AWS: the seed's resources (compute with an instance role, security groups, the
# S3 buckets) and its planned ones (load balancer with TLS, RDS, autoscaling, CloudWatch alarms,
# ElastiCache) as switches. docs/OPERATIONS.md walks through a deployment.

locals {
  name_prefix = "${var.project}-${var.environment}"
  ssm_prefix  = "/${var.project}/${var.environment}"
  public_url  = "https://${var.domain_name}"

  tags = merge(
    {
      Project     = var.project
      Environment = var.environment
      ManagedBy   = "terraform"
    },
    var.tags,
  )

  cors_allowed_origins = var.attachments_cors_allowed_origins != null ? var.attachments_cors_allowed_origins : [local.public_url]
}

module "network" {
  source = "./modules/network"

  name_prefix           = local.name_prefix
  vpc_cidr              = var.vpc_cidr
  az_count              = var.az_count
  availability_zones    = var.availability_zones
  nat_gateway_mode      = var.nat_gateway_mode
  app_port              = var.app_port
  smtp_port             = var.smtp_port
  enable_alb            = var.enable_alb
  alb_ingress_cidrs     = var.alb_ingress_cidrs
  ssh_ingress_cidrs     = var.ssh_ingress_cidrs
  flow_log_traffic_type = var.flow_log_traffic_type
  log_retention_days    = var.log_retention_days
}

module "storage" {
  source = "./modules/storage"

  name_prefix                            = local.name_prefix
  bucket_names                           = var.bucket_names
  force_destroy                          = var.force_destroy_buckets
  cors_allowed_origins                   = local.cors_allowed_origins
  attachments_ia_days                    = var.attachments_ia_days
  attachments_archive_days               = var.attachments_archive_days
  attachments_archive_storage_class      = var.attachments_archive_storage_class
  attachments_noncurrent_expiration_days = var.attachments_noncurrent_expiration_days
  abort_incomplete_multipart_days        = var.abort_incomplete_multipart_days
  backup_retention_days                  = var.backup_retention_days
  backups_object_lock                    = var.backups_object_lock
  enable_legacy_artifacts_bucket         = var.enable_legacy_artifacts_bucket
  enable_alb_access_logs                 = var.enable_alb
}

module "database" {
  source = "./modules/database"
  count  = var.enable_rds ? 1 : 0

  name_prefix              = local.name_prefix
  ssm_prefix               = local.ssm_prefix
  subnet_ids               = module.network.data_subnet_ids
  security_group_id        = module.network.security_group_ids["db"]
  engine_version           = var.db_engine_version
  instance_class           = var.db_instance_class
  allocated_storage_gb     = var.db_allocated_storage_gb
  max_allocated_storage_gb = var.db_max_allocated_storage_gb
  multi_az                 = var.db_multi_az
  backup_retention_days    = var.db_backup_retention_days
  deletion_protection      = var.db_deletion_protection
  performance_insights     = var.db_performance_insights
  monitoring_interval      = var.db_monitoring_interval
  enable_read_replica      = var.db_enable_read_replica
}

module "cache" {
  source = "./modules/cache"
  count  = var.enable_redis ? 1 : 0

  name_prefix        = local.name_prefix
  ssm_prefix         = local.ssm_prefix
  subnet_ids         = module.network.data_subnet_ids
  security_group_id  = module.network.security_group_ids["cache"]
  node_type          = var.redis_node_type
  num_cache_clusters = var.redis_num_cache_clusters
}

module "load_balancer" {
  source = "./modules/load_balancer"
  count  = var.enable_alb ? 1 : 0

  name_prefix         = local.name_prefix
  vpc_id              = module.network.vpc_id
  subnet_ids          = module.network.public_subnet_ids
  security_group_id   = module.network.security_group_ids["alb"]
  app_port            = var.app_port
  domain_name         = var.domain_name
  certificate_arn     = var.certificate_arn
  route53_zone_id     = var.route53_zone_id
  deletion_protection = var.alb_deletion_protection
  access_logs_bucket  = module.storage.logs_bucket

  # The bucket policy must exist before the load balancer tries to write its first log.
  depends_on = [module.storage]
}

module "compute" {
  source = "./modules/compute"

  name_prefix             = local.name_prefix
  ssm_prefix              = local.ssm_prefix
  subnet_ids              = module.network.app_subnet_ids
  security_group_id       = module.network.security_group_ids["app"]
  associate_public_ip     = var.nat_gateway_mode == "none"
  instance_type           = var.instance_type
  architecture            = var.architecture
  ami_id                  = var.ami_id
  ubuntu_release          = var.ubuntu_release
  root_volume_size_gb     = var.root_volume_size_gb
  detailed_monitoring     = var.detailed_monitoring
  enable_autoscaling      = var.enable_autoscaling
  asg_min_size            = var.asg_min_size
  asg_max_size            = var.asg_max_size
  asg_desired_capacity    = var.asg_desired_capacity
  asg_cpu_target          = var.asg_cpu_target
  termination_protection  = var.termination_protection
  attach_to_load_balancer = var.enable_alb
  target_group_arn        = var.enable_alb ? module.load_balancer[0].target_group_arn : null
  app_port                = var.app_port
  public_url              = local.public_url
  release_version         = var.release_version
  mail_from_address       = var.mail_from_address
  extra_environment       = var.app_extra_environment

  # PMO_HTTP__TRUSTED_PROXIES: the load balancer connects from its subnets, all inside the VPC's
  # range; pmo then believes X-Forwarded-For only from there. Without it, pmo faces no proxy.
  trusted_proxy_cidrs = var.enable_alb ? [module.network.vpc_cidr] : []

  buckets = {
    attachments = module.storage.attachments_bucket
    code        = module.storage.code_bucket
    backups     = module.storage.backups_bucket
    artifacts   = module.storage.artifacts_bucket
  }

  database = var.enable_rds ? {
    host               = module.database[0].address
    port               = module.database[0].port
    name               = module.database[0].database_name
    username           = module.database[0].username
    password_parameter = module.database[0].password_parameter_name
    replica_host       = module.database[0].replica_address
    # The instances install the PostgreSQL client of this major version (pg_dump refuses a
    # server newer than itself).
    engine_major_version = module.database[0].engine_major_version
  } : null

  cache = var.enable_redis ? {
    host                 = module.cache[0].primary_endpoint
    port                 = module.cache[0].port
    auth_token_parameter = module.cache[0].auth_token_parameter_name
  } : null
}

module "monitoring" {
  source = "./modules/monitoring"
  count  = var.enable_alarms ? 1 : 0

  name_prefix = local.name_prefix
  alarm_email = var.alarm_email

  watch_instance = !var.enable_autoscaling
  instance_id    = module.compute.instance_id

  watch_autoscaling_group = var.enable_autoscaling
  autoscaling_group_name  = module.compute.autoscaling_group_name

  watch_load_balancer      = var.enable_alb
  load_balancer_arn_suffix = var.enable_alb ? module.load_balancer[0].arn_suffix : null
  target_group_arn_suffix  = var.enable_alb ? module.load_balancer[0].target_group_arn_suffix : null

  watch_database          = var.enable_rds
  db_instance_identifier  = var.enable_rds ? module.database[0].identifier : null
  db_allocated_storage_gb = var.db_allocated_storage_gb

  watch_cache                = var.enable_redis
  cache_replication_group_id = var.enable_redis ? module.cache[0].replication_group_id : null
}
