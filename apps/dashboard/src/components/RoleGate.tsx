import { Button, Tooltip, type ButtonProps } from '@mantine/core';
import type { ComponentPropsWithoutRef, MouseEvent } from 'react';
import { needsRoleText, type Role } from '../lib/roles.js';
import { useWorkspace } from '../session/workspace.js';

type GatedButtonProps = ButtonProps & Omit<ComponentPropsWithoutRef<'button'>, keyof ButtonProps> & {
  /** The least role that may use this control (API.md's role column). */
  needs: Role;
  /** Hide the control instead of disabling it when the role is missing. */
  hideWhenMissing?: boolean;
};

/**
 * A button gated by role: with a role below `needs`, disabled (aria-disabled, still focusable) with
 * a tooltip naming the role it needs, or hidden with `hideWhenMissing`.
 */
export function GatedButton({ needs, hideWhenMissing, onClick, ...props }: GatedButtonProps) {
  const { can, role } = useWorkspace();
  if (can(needs)) return <Button onClick={onClick} {...props} />;
  if (hideWhenMissing) return null;
  const hint = needsRoleText(needs, role);
  return (
    <Tooltip label={hint} events={{ hover: true, focus: true, touch: true }} withArrow>
      <Button
        {...props}
        // Focusable (no native disabled) so keyboard users reach the tooltip; inert through aria-disabled.
        disabled={false}
        loading={false}
        data-disabled
        aria-disabled
        title={undefined}
        onClick={(e: MouseEvent<HTMLButtonElement>) => e.preventDefault()}
        aria-description={hint}
      />
    </Tooltip>
  );
}

/** For controls other than buttons: whether my role allows it and the tooltip text when not. */
export function useRoleGate(needs: Role): { allowed: boolean; hint: string } {
  const { can, role } = useWorkspace();
  return { allowed: can(needs), hint: needsRoleText(needs, role) };
}
