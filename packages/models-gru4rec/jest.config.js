module.exports = { ...require('../../jest.preset.js'), displayName: 'models-gru4rec' };
