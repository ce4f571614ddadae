module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'generators',
  testTimeout: 600000,
};
