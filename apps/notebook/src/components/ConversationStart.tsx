/**
 * The line above which the models see nothing: "New conversation" was used
 * there. `pending` when it was used after the last cell, so the next request
 * is the first thing past the line.
 */
export function ConversationStart({ pending }: { pending: boolean }) {
  return (
    <div className="conversation-start" role="separator" aria-label="New conversation" data-testid="conversation-start">
      <span>
        New conversation{pending ? ': the next request starts fresh' : ''} — the models do not see the cells above
      </span>
    </div>
  );
}
