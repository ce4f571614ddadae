module.exports = { ...require('../../jest.preset.js'), displayName: 'distill-td3' };
