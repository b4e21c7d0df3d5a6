import { Badge, Button, Group, NavLink, Select, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import { Link, useLocation } from 'wouter';
import { useSession } from '../session/session.js';
import { useWorkspace } from '../session/workspace.js';

/** The navigation: names are part of the interface (issue 15, point 7). */
export const NAV_LINKS = [
  { label: 'Prompts', href: '/prompts' },
  { label: 'Review', href: '/review' },
  { label: 'API keys', href: '/admin/api-keys' },
  { label: 'Webhooks', href: '/admin/webhooks' },
  { label: 'Members', href: '/admin/members' },
  { label: 'Settings', href: '/admin/settings' },
  { label: 'Audit log', href: '/admin/audit' },
] as const;

function isActive(location: string, href: string): boolean {
  return location === href || location.startsWith(`${href}/`) || (href === '/prompts' && location === '/');
}

/** Header (workspace and environment selectors, who I am, Log out), navigation and the page. */
export function Shell({ children }: { children: ReactNode }) {
  const { me, bypass, logOut } = useSession();
  const ws = useWorkspace();
  const [location] = useLocation();
  return (
    <div className="pg-shell">
      <header className="pg-header">
        <Group justify="space-between" wrap="nowrap" h="100%" px="md">
          <Group gap="md" wrap="nowrap">
            <Title order={1} size="h3">Promptgate</Title>
            <Select
              label="Workspace"
              aria-label="Workspace"
              size="xs"
              w={200}
              allowDeselect={false}
              data={ws.workspaces.map((w) => ({ value: w.id, label: w.name }))}
              value={ws.workspace?.id ?? null}
              onChange={(v) => v && ws.selectWorkspace(v)}
            />
            <Select
              label="Environment"
              aria-label="Environment"
              size="xs"
              w={160}
              allowDeselect={false}
              disabled={ws.environments.length === 0}
              placeholder={ws.environmentsLoading ? 'Loading…' : undefined}
              data={ws.environments.map((e) => ({ value: e.id, label: e.name }))}
              value={ws.environment?.id ?? null}
              onChange={(v) => v && ws.selectEnvironment(v)}
            />
          </Group>
          <Group gap="sm" wrap="nowrap">
            <Group gap={6} wrap="nowrap" data-testid="current-user">
              {me?.user.name && <Text size="sm" fw={500}>{me.user.name}</Text>}
              <Text size="sm" c="dimmed">{me?.user.email}</Text>
            </Group>
            {ws.role && <Badge variant="light" aria-label={`Role: ${ws.role}`}>{ws.role}</Badge>}
            {bypass
              ? <Badge color="orange" variant="light" title="The registry runs with DEV_AUTH_BYPASS: every request acts as the seeded admin">development bypass</Badge>
              : <Button size="xs" variant="default" onClick={logOut}>Log out</Button>}
          </Group>
        </Group>
      </header>
      <nav className="pg-nav" aria-label="Main">
        {NAV_LINKS.map((link) => (
          <NavLink key={link.href} component={Link} href={link.href} label={link.label} active={isActive(location, link.href)} />
        ))}
      </nav>
      <main className="pg-main">{children}</main>
    </div>
  );
}
