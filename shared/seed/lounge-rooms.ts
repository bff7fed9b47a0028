/** The Lounge and its five topic rooms, as the spec names them. Seeding is idempotent by slug. */
export const LOUNGE_SEED = {
  slug: 'the-lounge',
  name: 'The Lounge',
  description: 'Topic rooms for the whole community: ask, share, and hang out.',
  rooms: [
    {
      slug: 'ai-art',
      name: 'AI Art & Design',
      emoji: '🎨',
      description: 'Share generations, workflows and critique of AI art and design.',
      contextType: 'showcase',
    },
    {
      slug: 'coding',
      name: 'Coding & Automation',
      emoji: '💻',
      description: 'Code, agents and automations: questions become threads so answers stay findable.',
      contextType: 'help',
    },
    {
      slug: 'prompt-engineering',
      name: 'Prompt Engineering',
      emoji: '✍️',
      description: 'Techniques, templates and experiments for better prompts.',
      contextType: 'text',
    },
    {
      slug: 'newcomers',
      name: 'Newcomers Welcome',
      emoji: '🆕',
      description: 'New here? Say hello and ask anything about the community.',
      contextType: 'text',
    },
    {
      slug: 'general',
      name: 'General Chat',
      emoji: '💬',
      description: 'Everything else: off-topic, wins of the week, and good vibes.',
      contextType: 'text',
    },
  ],
} as const satisfies {
  slug: string;
  name: string;
  description: string;
  rooms: ReadonlyArray<{
    slug: string;
    name: string;
    emoji: string;
    description: string;
    contextType: 'text' | 'announcement' | 'help' | 'showcase';
  }>;
};
