// The standard option editors the panel options builder refers to by id (Grafana registers its own at start-up,
// in its AGPL core). The host registers these, built on @grafana/ui, so that a plugin's builder resolves and its
// defaults can be read; each is a working editor should a page show an options pane.
import {
  type SelectableValue,
  type StandardEditorProps,
  type StandardEditorsRegistryItem,
  standardEditorsRegistry,
} from '@grafana/data';
import { Input, RadioButtonGroup, Select, Slider, Switch } from '@grafana/ui';

interface OptionsSettings {
  options?: Array<SelectableValue<unknown>>;
  min?: number;
  max?: number;
  step?: number;
}

type Props = StandardEditorProps<unknown, OptionsSettings>;

const editors: StandardEditorsRegistryItem[] = [
  {
    id: 'text',
    name: 'Text',
    editor: ({ value, onChange }: Props) => (
      <Input value={String(value ?? '')} onChange={(e) => onChange(e.currentTarget.value)} />
    ),
  },
  {
    id: 'number',
    name: 'Number',
    editor: ({ value, onChange }: Props) => (
      <Input
        type="number"
        value={Number(value ?? 0)}
        onChange={(e) => onChange(Number(e.currentTarget.value))}
      />
    ),
  },
  {
    id: 'boolean',
    name: 'Boolean',
    editor: ({ value, onChange }: Props) => (
      <Switch value={Boolean(value)} onChange={(e) => onChange(e.currentTarget.checked)} />
    ),
  },
  {
    id: 'radio',
    name: 'Radio',
    editor: ({ value, onChange, item }: Props) => (
      <RadioButtonGroup options={item.settings?.options ?? []} value={value} onChange={(v) => onChange(v)} />
    ),
  },
  {
    id: 'select',
    name: 'Select',
    editor: ({ value, onChange, item }: Props) => (
      <Select options={item.settings?.options ?? []} value={value} onChange={(v) => onChange(v.value)} />
    ),
  },
  {
    id: 'slider',
    name: 'Slider',
    editor: ({ value, onChange, item }: Props) => (
      <Slider
        min={item.settings?.min ?? 0}
        max={item.settings?.max ?? 100}
        step={item.settings?.step ?? 1}
        value={Number(value ?? 0)}
        onChange={(v) => onChange(v)}
      />
    ),
  },
];

export function registerOptionEditors(): void {
  standardEditorsRegistry.setInit(() => editors);
}
