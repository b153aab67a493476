// Lucide icons by the names the entity registry uses. Only the icons we name are bundled
// (the full set is ~1,600 icons); an unknown name falls back to a neutral box.
import {
  BarChart3,
  BookOpen,
  Box,
  Briefcase,
  Building,
  Building2,
  CheckSquare,
  FileText,
  FolderOpen,
  Handshake,
  HardHat,
  MapPin,
  Network,
  Package,
  Paperclip,
  Receipt,
  Settings,
  ShoppingCart,
  Tags,
  Truck,
  UserCheck,
  UserCog,
  Users,
  Warehouse,
  type LucideIcon,
  type LucideProps,
} from 'lucide-react';
import { createElement } from 'react';

const ICONS: Record<string, LucideIcon> = {
  BarChart3,
  BookOpen,
  Box,
  Briefcase,
  Building,
  Building2,
  CheckSquare,
  FileText,
  FolderOpen,
  Handshake,
  HardHat,
  MapPin,
  Network,
  Package,
  Paperclip,
  Receipt,
  Settings,
  ShoppingCart,
  Tags,
  Truck,
  UserCheck,
  UserCog,
  Users,
  Warehouse,
};

export function iconByName(name: string | undefined): LucideIcon {
  return (name !== undefined ? ICONS[name] : undefined) ?? Box;
}

export function hasIcon(name: string): boolean {
  return name in ICONS;
}

/** The registry's icon for a type, by name. */
export function EntityIcon({ name, ...props }: { name: string | undefined } & LucideProps) {
  return createElement(iconByName(name), props);
}
