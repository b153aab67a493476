# No security group may open SSH (22) or the app port (4000) to the internet, whatever the inputs.

mock_provider "aws" {
  # No credentials, no network: shared mock values live in tests/mocks/aws.tfmock.hcl.
  source = "./tests/mocks"
}

variables {
  name_prefix = "pmo-test"
}

run "default_rules_keep_ssh_and_app_port_closed_to_the_internet" {
  command = plan

  module {
    source = "./modules/network"
  }

  assert {
    condition = alltrue([
      for k, r in aws_vpc_security_group_ingress_rule.this :
      !(contains(["0.0.0.0/0"], coalesce(r.cidr_ipv4, "-")) || contains(["::/0"], coalesce(r.cidr_ipv6, "-"))) ||
      !((r.from_port <= 22 && r.to_port >= 22) || (r.from_port <= 4000 && r.to_port >= 4000))
    ])
    error_message = "A security group opens port 22 or 4000 to 0.0.0.0/0 or ::/0."
  }

  assert {
    condition     = length([for k, r in aws_vpc_security_group_ingress_rule.this : k if r.from_port == 22]) == 0
    error_message = "SSH must be closed by default (Session Manager replaces it)."
  }

  assert {
    condition = (
      aws_vpc_security_group_ingress_rule.this["app-from-alb"].cidr_ipv4 == null &&
      aws_vpc_security_group_ingress_rule.this["app-from-alb"].cidr_ipv6 == null &&
      aws_vpc_security_group_ingress_rule.this["app-from-alb"].from_port == 4000
    )
    error_message = "The app port must only admit the load balancer's security group."
  }

  assert {
    condition     = toset([for k, r in aws_vpc_security_group_ingress_rule.this : r.from_port if r.cidr_ipv4 == "0.0.0.0/0"]) == toset([80, 443])
    error_message = "Only the load balancer's 80 (redirect) and 443 may be open to the internet."
  }

  assert {
    condition     = alltrue([for s in aws_subnet.public : !s.map_public_ip_on_launch]) && alltrue([for s in aws_subnet.app : !s.map_public_ip_on_launch])
    error_message = "No subnet may hand out public IPs automatically."
  }

  assert {
    condition     = length(aws_nat_gateway.this) == 1 && aws_flow_log.this.traffic_type == "REJECT"
    error_message = "The default network has one NAT gateway and a flow log."
  }
}

run "narrow_ssh_ranges_are_accepted_but_never_the_world" {
  command = plan

  module {
    source = "./modules/network"
  }

  variables {
    ssh_ingress_cidrs = ["10.20.30.0/24", "2001:db8:1234::/48"]
  }

  assert {
    condition     = length([for k, r in aws_vpc_security_group_ingress_rule.this : k if r.from_port == 22]) == 2
    error_message = "Each configured admin range gets one SSH rule."
  }

  assert {
    condition = alltrue([
      for k, r in aws_vpc_security_group_ingress_rule.this :
      r.cidr_ipv4 != "0.0.0.0/0" && r.cidr_ipv6 != "::/0" if r.from_port == 22 || r.from_port == 4000
    ])
    error_message = "SSH or the app port is open to the internet."
  }
}

run "without_load_balancer_nothing_is_reachable_from_outside" {
  command = plan

  module {
    source = "./modules/network"
  }

  variables {
    enable_alb = false
  }

  assert {
    condition     = length([for k, r in aws_vpc_security_group_ingress_rule.this : k if r.cidr_ipv4 != null || r.cidr_ipv6 != null]) == 0
    error_message = "Without a load balancer no ingress rule may admit a CIDR."
  }
}
