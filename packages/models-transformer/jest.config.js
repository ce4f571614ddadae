module.exports = { ...require('../../jest.preset.js'), displayName: 'models-transformer' };
