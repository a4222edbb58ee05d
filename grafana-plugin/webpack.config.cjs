// Build of the panel as Grafana loads it: one AMD module dist/module.js whose imports of React, @grafana/* and the
// other libraries Grafana shares are left to the host (externals), plus plugin.json, img/ and README.md.
const path = require('node:path');
const CopyWebpackPlugin = require('copy-webpack-plugin');
const pkg = require('./package.json');

/** What Grafana provides to plugins at run time (the @grafana/create-plugin list). */
const EXTERNALS = [
  'react',
  'react-dom',
  'react/jsx-runtime',
  '@grafana/ui',
  '@grafana/data',
  '@grafana/runtime',
  '@emotion/css',
  '@emotion/react',
  'rxjs',
  'lodash',
  'moment',
  'd3',
  'i18next',
];

module.exports = (_env, argv) => ({
  mode: argv.mode ?? 'production',
  context: path.join(__dirname, 'src'),
  entry: { module: './module.ts' },
  devtool: 'source-map',
  externals: EXTERNALS,
  output: {
    path: path.join(__dirname, 'dist'),
    filename: '[name].js',
    library: { type: 'amd' },
    publicPath: '/',
    clean: true,
    uniqueName: 'omnicache-cache-panel',
  },
  resolve: {
    extensions: ['.ts', '.tsx', '.js', '.mjs'],
    // sources import './x.js' (NodeNext style); resolve them to the .ts/.tsx files
    extensionAlias: { '.js': ['.ts', '.tsx', '.js'] },
  },
  module: {
    rules: [
      {
        test: /\.tsx?$/,
        exclude: /node_modules/,
        use: {
          loader: 'ts-loader',
          options: {
            transpileOnly: true,
            compilerOptions: { module: 'ESNext', noEmit: false, sourceMap: true },
          },
        },
      },
    ],
  },
  plugins: [
    new CopyWebpackPlugin({
      patterns: [
        {
          from: 'plugin.json',
          to: '.',
          transform: (content) =>
            content
              .toString()
              .replace('%VERSION%', pkg.version)
              .replace('%TODAY%', new Date().toISOString().slice(0, 10)),
        },
        { from: 'img', to: 'img' },
        { from: '../README.md', to: '.' },
        { from: '../LICENSE', to: '.', noErrorOnMissing: true },
      ],
    }),
  ],
  performance: { hints: false },
});

// The test of the release archive checks module.js against this list.
module.exports.EXTERNALS = EXTERNALS;
